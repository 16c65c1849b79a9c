// A Go wasip1 command of the size real Go plugins have (proxy-wasm filters built with the Go SDK
// are 2.5-3.4 MB): it pulls in fmt, encoding/json, regexp, compress/gzip,
// crypto/sha256 and sort, and prints one line per step. Used to measure how soon Corral serves
// the first call into a large module (benchmarks/README.md, "Start-up of a large module").
package main

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"os"
	"regexp"
	"sort"
	"strings"
)

type Request struct {
	Method  string            `json:"method"`
	Path    string            `json:"path"`
	Headers map[string]string `json:"headers"`
}

func main() {
	in := `{"method":"GET","path":"/api/v1/items/42","headers":{"Accept":"application/json","X-Trace":"abc123"}}`
	if len(os.Args) > 1 {
		in = os.Args[1]
	}
	var r Request
	if err := json.Unmarshal([]byte(in), &r); err != nil {
		fmt.Println("bad request:", err)
		os.Exit(2)
	}
	route := regexp.MustCompile(`^/api/v(\d+)/(\w+)/(\d+)$`)
	m := route.FindStringSubmatch(r.Path)
	keys := make([]string, 0, len(r.Headers))
	for k := range r.Headers {
		keys = append(keys, strings.ToLower(k))
	}
	sort.Strings(keys)
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	zw.Write([]byte(strings.Repeat(r.Path, 64)))
	zw.Close()
	sum := sha256.Sum256([]byte(in))
	fmt.Printf("%s %s route=%v headers=%v gzip=%d sha256=%x\n", r.Method, r.Path, m, keys, buf.Len(), sum[:8])
}
