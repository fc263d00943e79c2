package dev.twinbuild.operator.api.v1alpha1;

/** Where a generation of a SystemImage stands; the last three are final until the spec changes. */
public enum Phase {
    Pending, Building, Reproducible, Unreproducible, Failed;

    public boolean isFinal() {
        return this == Reproducible || this == Unreproducible || this == Failed;
    }
}
