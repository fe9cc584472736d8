package airbyte

import (
	"encoding/json"
	"testing"
)

func TestFloatAlwaysHasDecimalPoint(t *testing.T) {
	for in, want := range map[float64]string{0: "0.0", 3: "3.0", 2.5: "2.5", 1e21: "1e+21"} {
		b, _ := json.Marshal(Float(in))
		if string(b) != want {
			t.Errorf("Float(%v) = %s, want %s", in, b, want)
		}
	}
}
