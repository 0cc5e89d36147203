package stripe_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/pacerhq/pacer/connectors"
	"github.com/pacerhq/pacer/connectors/conntest"
	"github.com/pacerhq/pacer/connectors/httpkit"
	"github.com/pacerhq/pacer/connectors/stripe"
)

// stripeMock returns the base URL of a stripe-mock started for the test,
// installing it with go install (STRIPE_MOCK_BIN names a binary to use
// instead). It skips the test when stripe-mock cannot be had.
func stripeMock(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("-short: stripe-mock needs go install and a subprocess")
	}
	bin := os.Getenv("STRIPE_MOCK_BIN")
	if bin == "" {
		gobin := t.TempDir()
		ctx, cancel := context.WithTimeout(t.Context(), 75*time.Second)
		defer cancel()
		cmd := exec.CommandContext(ctx, "go", "install", "github.com/stripe/stripe-mock@latest")
		cmd.Dir = gobin // outside this module
		cmd.Env = append(os.Environ(), "GOBIN="+gobin, "GOFLAGS=")
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Skipf("stripe-mock not available: go install github.com/stripe/stripe-mock@latest: %v\n%s", err, tail(out))
		}
		bin = filepath.Join(gobin, "stripe-mock")
	}
	httpPort, httpsPort := freePort(t), freePort(t)
	// Both addresses on loopback: with -http-addr alone it still opens
	// HTTPS on all interfaces (CONNECTORS.md §8).
	var logs bytes.Buffer
	cmd := exec.Command(bin, "-http-addr", "127.0.0.1:"+httpPort, "-https-addr", "127.0.0.1:"+httpsPort)
	cmd.Stdout, cmd.Stderr = &logs, &logs
	if err := cmd.Start(); err != nil {
		t.Skipf("stripe-mock does not start: %v", err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	})
	base := "http://127.0.0.1:" + httpPort
	deadline := time.Now().Add(15 * time.Second)
	for {
		req, _ := http.NewRequestWithContext(t.Context(), http.MethodGet, base+"/v1/charges?limit=1", nil)
		req.Header.Set("Authorization", "Bearer sk_test_123")
		res, err := http.DefaultClient.Do(req)
		if err == nil {
			res.Body.Close()
			if res.StatusCode == http.StatusOK {
				return base
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("stripe-mock did not answer on %s: %v\n%s", base, err, tail(logs.Bytes()))
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// fixtureCreated returns the created time of stripe-mock's charge fixture.
func fixtureCreated(t *testing.T, base string) int64 {
	t.Helper()
	req, _ := http.NewRequestWithContext(t.Context(), http.MethodGet, base+"/v1/charges?limit=1", nil)
	req.Header.Set("Authorization", "Bearer sk_test_123")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var l struct {
		Data []struct {
			Created int64 `json:"created"`
		} `json:"data"`
	}
	if err := json.NewDecoder(res.Body).Decode(&l); err != nil || len(l.Data) == 0 {
		t.Fatalf("stripe-mock's charge list: %v (%d charges)", err, len(l.Data))
	}
	return l.Data[0].Created
}

func freePort(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return strconv.Itoa(l.Addr().(*net.TCPAddr).Port)
}

func tail(b []byte) string {
	if len(b) > 2000 {
		b = b[len(b)-2000:]
	}
	return string(b)
}

// TestStripeMock syncs against stripe-mock, which answers from Stripe's
// OpenAPI spec with fixtures (it does not filter by created or page): the
// connector's parameters must pass its validation and Stripe's real
// object shapes must decode. It asserts what the fixtures reliably hold: at
// least one charge and one refund (its charge expanded), positive amounts,
// upper-case currencies, and no rejected rows.
func TestStripeMock(t *testing.T) {
	base := stripeMock(t)
	// stripe-mock ignores created[…] and the connector drops objects
	// outside its window: read the window around the fixture's created.
	created := fixtureCreated(t, base)
	until := connectors.Day(time.Unix(created, 0).UTC()).AddDate(0, 0, 1)
	y := fmt.Sprintf("api_key: sk_test_123\nbase_url: %s\nwindow_days: 7\n", base)
	var logs bytes.Buffer
	src, err := stripe.New(connectors.Config{
		Name: "mock", StartDate: until.AddDate(0, 0, -2), Decode: decoder(y),
		Logger: slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
	}, httpkit.WithClock(httpkit.NewFakeClock(until.AddDate(0, 0, 1).Add(12*time.Hour))), httpkit.WithLoopbackOnly())
	if err != nil {
		t.Fatal(err)
	}
	if err := src.Check(t.Context()); err != nil {
		t.Fatalf("Check against stripe-mock: %v", err)
	}
	st := src.Streams()[0]
	em := conntest.NewEmitter(t, conntest.OpenDB(t), st.Name, conntest.WithDateColumn(st.DateColumn))
	err = src.Read(t.Context(), connectors.ReadRequest{Stream: st.Name, Until: until}, em)
	if err != nil {
		t.Fatalf("sync against stripe-mock: %v", err)
	}
	if q := em.Quarantined(); len(q) > 0 {
		t.Errorf("stripe-mock's fixtures were rejected: %+v", q)
	}
	rows, err := em.Query(t.Context(), `SELECT object, object_id, order_id, status, CAST(amount AS VARCHAR), currency, coalesce(charge_id, '') FROM orders`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	seen := map[string]int{}
	for rows.Next() {
		var object, id, order, status, amount, cur, charge string
		if err := rows.Scan(&object, &id, &order, &status, &amount, &cur, &charge); err != nil {
			t.Fatal(err)
		}
		seen[object]++
		t.Logf("%s %s order %s %s %s %s", object, id, order, status, amount, cur)
		if cur != strings.ToUpper(cur) || len(cur) != 3 {
			t.Errorf("%s: currency %q", id, cur)
		}
		if strings.HasPrefix(amount, "-") || amount == "0.000000000" {
			t.Errorf("%s: amount %s", id, amount)
		}
		switch object {
		case "charge":
			if !strings.HasPrefix(id, "ch_") || (status != "paid" && status != "pending" && status != "cancelled") {
				t.Errorf("charge row %s %s", id, status)
			}
		case "refund":
			if !strings.HasPrefix(id, "re_") || status != "refunded" || !strings.HasPrefix(charge, "ch_") || order == "" {
				t.Errorf("refund row %s %s charge %q order %q", id, status, charge, order)
			}
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if seen["charge"] == 0 || seen["refund"] == 0 {
		t.Errorf("rows per object %v; want charges and refunds from the fixtures", seen)
	}
	if strings.Contains(logs.String(), "sk_test_123") {
		t.Error("the key shows in the logs")
	}
}
