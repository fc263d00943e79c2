package main

import (
	"os"
	"strings"
	"testing"

	"github.com/google/cel-go/cel"
	"github.com/google/cel-go/common/types"
	"github.com/google/cel-go/ext"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/cli-utils/pkg/kstatus/status"
	"sigs.k8s.io/yaml"
)

// The healthCheckExprs of gitops/flux/kustomization.yaml, evaluated as Flux's kustomize-controller does
// (fluxcd/pkg runtime/cel: the same CEL environment, parsed not compiled, the object's top-level fields as
// variables; observedGeneration first, then inProgress, failed, current; none true: InProgress).
func TestFluxHealthCheckExprs(t *testing.T) {
	data, err := os.ReadFile("../../gitops/flux/kustomization.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var exprs map[string]string
	for _, doc := range strings.Split(string(data), "\n---\n") {
		var k struct {
			Spec struct {
				HealthCheckExprs []map[string]string `json:"healthCheckExprs"`
			} `json:"spec"`
		}
		if err := yaml.Unmarshal([]byte(doc), &k); err != nil {
			t.Fatal(err)
		}
		for _, e := range k.Spec.HealthCheckExprs {
			if e["kind"] == "SystemImage" {
				exprs = e
			}
		}
	}
	if exprs == nil {
		t.Fatal("no healthCheckExprs for SystemImage in gitops/flux/kustomization.yaml")
	}
	env, err := cel.NewEnv(cel.HomogeneousAggregateLiterals(), cel.EagerlyValidateDeclarations(true),
		cel.DefaultUTCTimeZone(true), cel.CrossTypeNumericComparisons(true), cel.OptionalTypes(),
		ext.Strings(), ext.Sets(), ext.Encoders())
	if err != nil {
		t.Fatal(err)
	}
	programs := map[string]cel.Program{}
	for _, key := range []string{"inProgress", "failed", "current"} {
		ast, issues := env.Parse(exprs[key])
		if issues != nil && issues.Err() != nil {
			t.Fatalf("%s: %v", key, issues.Err())
		}
		if programs[key], err = env.Program(ast); err != nil {
			t.Fatalf("%s: %v", key, err)
		}
	}
	evaluate := func(u *unstructured.Unstructured) (status.Status, error) {
		observed, ok, _ := unstructured.NestedInt64(u.Object, "status", "observedGeneration")
		if ok && observed != u.GetGeneration() {
			return status.InProgressStatus, nil
		}
		for _, e := range []struct {
			key    string
			result status.Status
		}{{"inProgress", status.InProgressStatus}, {"failed", status.FailedStatus}, {"current", status.CurrentStatus}} {
			v, _, err := programs[e.key].Eval(u.Object)
			if err != nil {
				return "", err
			}
			if v == types.True {
				return e.result, nil
			}
		}
		return status.InProgressStatus, nil
	}
	want := map[string]status.Status{
		"progressing_notObserved.yaml":           status.InProgressStatus,
		"progressing_pending.yaml":               status.InProgressStatus,
		"progressing_building.yaml":              status.InProgressStatus,
		"progressing_newGeneration.yaml":         status.InProgressStatus,
		"healthy_reproducible.yaml":              status.CurrentStatus,
		"degraded_unreproducible.yaml":           status.FailedStatus,
		"degraded_failed.yaml":                   status.FailedStatus,
		"degraded_stalledInsufficientNodes.yaml": status.InProgressStatus, // the expressions read the phase (Building)
	}
	for _, u := range fixtures(t) {
		got, err := evaluate(u)
		name := u.GetAnnotations()["fixture"]
		if name == "progressing_noStatus.yaml" {
			// no status at all yet: the variable `status` does not exist and Flux keeps waiting (a few
			// hundred milliseconds, until the operator writes the first status)
			if err == nil {
				t.Errorf("%s: expected an evaluation error (Flux waits), got %s", name, got)
			}
			continue
		}
		if err != nil || got != want[name] {
			t.Errorf("%s: %s (%v), want %s", name, got, err, want[name])
		}
	}
}
