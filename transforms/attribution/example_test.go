package attribution_test

import (
	"context"
	"fmt"
	"strings"

	"github.com/pacerhq/pacer/transforms/attribution"
)

func Example() {
	file := `path,total_conversions,total_conversion_value,total_null
search > email,1,10,0
search,1,20,0
email,0,0,1
`
	j, err := attribution.ParsePaths(strings.NewReader(file), attribution.PathFormat{})
	if err != nil {
		fmt.Println(err)
		return
	}
	var specs []attribution.Spec
	for _, name := range []string{"first_touch", "linear", "markov", "shapley"} {
		s, err := attribution.ParseSpec(name)
		if err != nil {
			fmt.Println(err)
			return
		}
		specs = append(specs, s)
	}
	results, err := attribution.Run(context.Background(), j, specs)
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, r := range results {
		for i, ch := range r.Channels {
			fmt.Printf("%-11s %-6s %.4f conversions %7.4f value\n", r.Model, ch, r.Conversions[i], r.Value[i])
		}
	}
	// Output:
	// first_touch search 2.0000 conversions 30.0000 value
	// first_touch email  0.0000 conversions  0.0000 value
	// linear      search 1.5000 conversions 25.0000 value
	// linear      email  0.5000 conversions  5.0000 value
	// markov      search 1.2000 conversions 18.0000 value
	// markov      email  0.8000 conversions 12.0000 value
	// shapley     search 1.5000 conversions 25.0000 value
	// shapley     email  0.5000 conversions  5.0000 value
}
