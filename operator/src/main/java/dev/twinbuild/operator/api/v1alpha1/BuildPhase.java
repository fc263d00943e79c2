package dev.twinbuild.operator.api.v1alpha1;

public enum BuildPhase {
    Pending, Running, Succeeded, Failed;

    public boolean isFinal() {
        return this == Succeeded || this == Failed;
    }
}
