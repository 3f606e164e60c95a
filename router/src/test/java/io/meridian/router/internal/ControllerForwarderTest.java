package io.meridian.router.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.URI;
import org.junit.jupiter.api.Test;

class ControllerForwarderTest {

    @Test
    void shouldAppendTheRawPathAndQueryToTheControllersBaseUrl() {
        assertEquals(URI.create("http://c:8080/admin/tenants/acme/placement"), ControllerForwarder.target(
                URI.create("http://c:8080"), "/admin/tenants/acme/placement", null));
        assertEquals(URI.create("http://c:8080/admin/replication/failover?x=%2F&y=1"), ControllerForwarder.target(
                URI.create("http://c:8080/"), "/admin/replication/failover", "x=%2F&y=1"));
        assertEquals(URI.create("https://c.example/meridian/admin/tenants/a/placement"), ControllerForwarder.target(
                URI.create("https://c.example/meridian/"), "/admin/tenants/a/placement", ""));
    }
}
