package main

import (
	"os"
	"path/filepath"
	"testing"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/cli-utils/pkg/kstatus/status"
	"sigs.k8s.io/yaml"
)

// What Flux (wait: true) and other kstatus readers conclude from each status shape the operator writes:
// the fixtures of the Argo CD health check, made from the operator's StatusComposer.
func TestFixtures(t *testing.T) {
	want := map[string]status.Status{
		"progressing_noStatus.yaml":              status.CurrentStatus, // no status at all: why the CRD defaults one
		"progressing_notObserved.yaml":           status.InProgressStatus,
		"progressing_pending.yaml":               status.InProgressStatus,
		"progressing_building.yaml":              status.InProgressStatus,
		"progressing_newGeneration.yaml":         status.InProgressStatus,
		"healthy_reproducible.yaml":              status.CurrentStatus,
		"degraded_unreproducible.yaml":           status.FailedStatus,
		"degraded_failed.yaml":                   status.FailedStatus,
		"degraded_stalledInsufficientNodes.yaml": status.FailedStatus, // Stalled=True, Reconciling=False
	}
	us := fixtures(t)
	if len(us) != len(want) {
		t.Fatalf("expected %d fixtures, found %d", len(want), len(us))
	}
	for _, u := range us {
		name := u.GetAnnotations()["fixture"]
		res, err := status.Compute(u)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if res.Status != want[name] {
			t.Errorf("%s: kstatus %s (%s), want %s", name, res.Status, res.Message, want[name])
		}
	}
}

// fixtures reads the status fixtures of the Argo CD health check (made from the operator's StatusComposer),
// each annotated with its file name under "fixture".
func fixtures(t *testing.T) []*unstructured.Unstructured {
	dir := "../../gitops/argocd/resource_customizations/twinbuild.dev/SystemImage/testdata"
	files, err := filepath.Glob(filepath.Join(dir, "*.yaml"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no fixtures in %s (%v)", dir, err)
	}
	var out []*unstructured.Unstructured
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		js, err := yaml.YAMLToJSON(data)
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		u := &unstructured.Unstructured{}
		if err := u.UnmarshalJSON(js); err != nil { // numbers as int64, as from the API server
			t.Fatalf("%s: %v", f, err)
		}
		a := u.GetAnnotations()
		if a == nil {
			a = map[string]string{}
		}
		a["fixture"] = filepath.Base(f)
		u.SetAnnotations(a)
		out = append(out, u)
	}
	return out
}
