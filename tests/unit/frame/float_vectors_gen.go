// Generates tests/unit/frame/float_vectors.txt: float64/float32 values and the
// text Go's encoding/json (float64, float32) and fmt "%v" (float64) give them.
// Run: go run float_vectors_gen.go > float_vectors.txt   (Go 1.19 was used)
package main

import (
	"encoding/json"
	"fmt"
	"math"
	"math/rand"
)

func main() {
	r := rand.New(rand.NewSource(20240601))
	var f64 []float64
	for e := -1074; e <= 1023; e++ {
		f64 = append(f64, math.Ldexp(1, e))
	}
	for i := 0; i < 1500; i++ {
		v := math.Float64frombits(r.Uint64())
		if !math.IsNaN(v) && !math.IsInf(v, 0) {
			f64 = append(f64, v)
		}
	}
	for i := 0; i < 200; i++ { // subnormals
		f64 = append(f64, math.Float64frombits(r.Uint64()>>(12+r.Intn(52))))
	}
	for i := 0; i < 300; i++ {
		f64 = append(f64, float64(r.Int63n(2000000))/1000-1000, math.Float64frombits(r.Uint64()>>12))
	}
	f64 = append(f64, 0.1, 0.2, 0.3, 1e21, 1e20, 1e-6, 9.999999999999999e-7, 123456789012345678, 5e-324, 2.2250738585072014e-308)
	for _, v := range f64 {
		j, _ := json.Marshal(v)
		fmt.Printf("j64 %016x %s\n", math.Float64bits(v), j)
		fmt.Printf("v64 %016x %v\n", math.Float64bits(v), v)
	}
	var f32 []float32
	for e := -149; e <= 127; e++ {
		f32 = append(f32, float32(math.Ldexp(1, e)))
	}
	for i := 0; i < 1500; i++ {
		v := math.Float32frombits(r.Uint32())
		if !math.IsNaN(float64(v)) && !math.IsInf(float64(v), 0) {
			f32 = append(f32, v)
		}
	}
	f32 = append(f32, 0.1, 1e21, 1e-6, 16777216, 3.4028235e38, 1e-45)
	for _, v := range f32 {
		j, _ := json.Marshal(v)
		fmt.Printf("j32 %08x %s\n", math.Float32bits(v), j)
	}
}
