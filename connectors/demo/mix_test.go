package demo

import (
	"slices"
	"testing"
)

// Every order and refund carries a region and a product line from the
// demo's lists; a customer keeps one region; a refund repeats its order's
// product line; every value occurs; dear first items lean to gift boxes.
func TestOrdersCarryTheMix(t *testing.T) {
	orders := fullYear(t)["orders"]
	regionOfCustomer := map[string]string{}
	lineOfOrder := map[string]string{}
	regions, lines := map[string]int{}, map[string]int{}
	var giftAmount, giftN, greenAmount, greenN float64
	for _, row := range orders.rows {
		region, ok1 := row[orders.col("region")].(string)
		line, ok2 := row[orders.col("product_line")].(string)
		if !ok1 || !ok2 || !slices.Contains(regionNames[:], region) || !slices.Contains(productLineNames[:], line) {
			t.Fatalf("row without a known region or product line: %v", row)
		}
		customer := row[orders.col("customer_id")].(string)
		if r, seen := regionOfCustomer[customer]; seen && r != region {
			t.Fatalf("customer %s in %s and %s", customer, r, region)
		}
		regionOfCustomer[customer] = region
		status := row[orders.col("status")].(string)
		id := row[orders.col("order_id")].(string)
		if status == "refunded" {
			if l, seen := lineOfOrder[id]; seen && l != line {
				t.Errorf("refund of %s in %s, the order in %s", id, line, l)
			}
		} else {
			lineOfOrder[id] = line
		}
		regions[region]++
		lines[line]++
		if status == "paid" {
			amount := float64(row[orders.col("amount")].(int64)) / 100
			switch line {
			case productLineNames[3]:
				giftAmount, giftN = giftAmount+amount, giftN+1
			case productLineNames[0]:
				greenAmount, greenN = greenAmount+amount, greenN+1
			}
		}
	}
	if len(regions) != len(regionNames) || len(lines) != len(productLineNames) {
		t.Errorf("regions %v, lines %v", regions, lines)
	}
	if regions[regionNames[0]] <= regions[regionNames[4]] {
		t.Errorf("East China (%d orders) should outsell overseas (%d)", regions[regionNames[0]], regions[regionNames[4]])
	}
	if giftN == 0 || greenN == 0 || giftAmount/giftN <= 1.3*greenAmount/greenN {
		t.Errorf("gift box AOV %.0f vs green tea %.0f: gift boxes should be dearer", giftAmount/giftN, greenAmount/greenN)
	}
}
