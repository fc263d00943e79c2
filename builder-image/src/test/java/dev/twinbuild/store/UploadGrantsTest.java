package dev.twinbuild.store;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class UploadGrantsTest {

    @Test
    void roundTripsAsSortedJson() {
        UploadGrants g = new UploadGrants("bkt", "2026-11-29T16:00:00Z", Map.of(
                "img.tar", new UploadGrants.Grant("p/img.tar", "s3://bkt/p/img.tar", "http://s3/put",
                        new UploadGrants.Multipart("up-1", 5L << 20, List.of("http://s3/p1", "http://s3/p2"))),
                "build-record.json", new UploadGrants.Grant("p/build-record.json", "s3://bkt/p/build-record.json",
                        "http://s3/rec", null)));
        String json = g.toJson();
        assertThat(json.indexOf("build-record.json")).isLessThan(json.indexOf("img.tar"));
        UploadGrants back = UploadGrants.parse(json);
        assertThat(back).isEqualTo(g);
        assertThat(back.files().get("img.tar").multipart().maxSize()).isEqualTo(10L << 20);
    }

    @Test
    void garbageIsRefusedWithoutEchoingIt() {
        assertThatThrownBy(() -> UploadGrants.parse("{not json"))
                .isInstanceOfSatisfying(StoreException.class, e -> assertThat(e.reason()).isEqualTo(StoreException.REJECTED));
    }
}
