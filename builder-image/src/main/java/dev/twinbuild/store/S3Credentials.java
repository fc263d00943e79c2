package dev.twinbuild.store;

import java.util.Map;

/** Static S3 credentials; in pods they come from the store's Secret through environment variables. */
public record S3Credentials(String accessKeyId, String secretAccessKey, String sessionToken) {
    public static final String ACCESS_KEY_ENV = "AWS_ACCESS_KEY_ID";
    public static final String SECRET_KEY_ENV = "AWS_SECRET_ACCESS_KEY";
    public static final String SESSION_TOKEN_ENV = "AWS_SESSION_TOKEN";

    public S3Credentials {
        if (accessKeyId == null || accessKeyId.isBlank() || secretAccessKey == null || secretAccessKey.isBlank()) {
            throw new StoreException(StoreException.REJECTED, "S3 credentials need an access key id and a secret key");
        }
    }

    public static S3Credentials fromEnv(Map<String, String> env) {
        return new S3Credentials(env.get(ACCESS_KEY_ENV), env.get(SECRET_KEY_ENV), env.get(SESSION_TOKEN_ENV));
    }

    @Override
    public String toString() {
        return "S3Credentials[" + accessKeyId + ", secret hidden]";
    }
}
