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
		"progressing_noStatus.yaml":              status.CurrentStatus, // no conditions yet: see README
		"progressing_pending.yaml":               status.InProgressStatus,
		"progressing_building.yaml":              status.InProgressStatus,
		"progressing_newGeneration.yaml":         status.InProgressStatus,
		"healthy_reproducible.yaml":              status.CurrentStatus,
		"degraded_unreproducible.yaml":           status.FailedStatus,
		"degraded_failed.yaml":                   status.FailedStatus,
		"degraded_stalledInsufficientNodes.yaml": status.InProgressStatus, // Reconciling stays True: nodes may come
	}
	dir := "../../gitops/argocd/resource_customizations/twinbuild.dev/SystemImage/testdata"
	files, err := filepath.Glob(filepath.Join(dir, "*.yaml"))
	if err != nil || len(files) != len(want) {
		t.Fatalf("expected %d fixtures in %s, found %d (%v)", len(want), dir, len(files), err)
	}
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
		res, err := status.Compute(u)
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		if res.Status != want[filepath.Base(f)] {
			t.Errorf("%s: kstatus %s (%s), want %s", filepath.Base(f), res.Status, res.Message, want[filepath.Base(f)])
		}
	}
}
