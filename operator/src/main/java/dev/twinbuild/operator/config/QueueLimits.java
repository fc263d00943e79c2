package dev.twinbuild.operator.config;

/**
 * How many SystemImages may build at once (each runs its {@code verification.builds} pods); the rest wait
 * in the queue ({@code Pending}, reason {@code Queued}). 0: no limit.
 *
 * @param maxBuilding             cluster-wide (all namespaces the operator watches)
 * @param maxBuildingPerNamespace per namespace, so that one team's burst cannot take every slot
 */
public record QueueLimits(int maxBuilding, int maxBuildingPerNamespace) {
    /** The one place the defaults are written down (TwinbuildConfig's @WithDefault reads these too). */
    public static final String DEFAULT_MAX_BUILDING = "16";
    public static final String DEFAULT_MAX_BUILDING_PER_NAMESPACE = "8";

    public QueueLimits {
        if (maxBuilding < 0 || maxBuildingPerNamespace < 0) {
            throw new IllegalArgumentException("queue limits must be 0 (no limit) or more: " + maxBuilding + ", "
                    + maxBuildingPerNamespace);
        }
    }

    public static QueueLimits defaults() {
        return new QueueLimits(Integer.parseInt(DEFAULT_MAX_BUILDING),
                Integer.parseInt(DEFAULT_MAX_BUILDING_PER_NAMESPACE));
    }

    public static QueueLimits unlimited() {
        return new QueueLimits(0, 0);
    }
}
