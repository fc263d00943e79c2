// kstatus-check prints what Flux and `kubectl wait`-style tools conclude from a resource's status:
// the kstatus library (sigs.k8s.io/cli-utils/pkg/kstatus) reads the JSON of one object or a List
// from stdin and prints "<namespace>/<name> <Status> <message>" per object.
package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/cli-utils/pkg/kstatus/status"
)

func main() {
	data, err := io.ReadAll(os.Stdin)
	if err != nil {
		fmt.Fprintln(os.Stderr, "kstatus-check: reading stdin:", err)
		os.Exit(2)
	}
	var head struct{ Items json.RawMessage }
	if err := json.Unmarshal(data, &head); err != nil {
		fmt.Fprintln(os.Stderr, "kstatus-check: stdin is not a JSON object:", err)
		os.Exit(2)
	}
	// the unstructured decoders keep integers as int64, as the API server's clients see them
	var items []unstructured.Unstructured
	if head.Items != nil {
		list := &unstructured.UnstructuredList{}
		if err := list.UnmarshalJSON(data); err != nil {
			fmt.Fprintln(os.Stderr, "kstatus-check:", err)
			os.Exit(2)
		}
		items = list.Items
	} else {
		u := unstructured.Unstructured{}
		if err := u.UnmarshalJSON(data); err != nil {
			fmt.Fprintln(os.Stderr, "kstatus-check:", err)
			os.Exit(2)
		}
		items = append(items, u)
	}
	for i := range items {
		res, err := status.Compute(&items[i])
		if err != nil {
			fmt.Fprintf(os.Stderr, "kstatus-check: %s/%s: %v\n", items[i].GetNamespace(), items[i].GetName(), err)
			os.Exit(1)
		}
		// one line per object: a condition's message may hold newlines (e.g. a build step's stderr)
		fmt.Printf("%s/%s %s %s\n", items[i].GetNamespace(), items[i].GetName(), res.Status,
			strings.Join(strings.Fields(res.Message), " "))
	}
}
