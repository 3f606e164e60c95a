package io.meridian.cli;

import com.fasterxml.jackson.databind.JsonNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/** {@code meridianctl region reseed}: region-wide operations over the admin API. */
@Command(name = "region", description = "Region operations (re-seed).", sortOptions = false)
final class RegionCommand implements Runnable {

    @Mixin
    CommandGroup group;

    @Override
    public void run() {
        throw group.missingCommand("reseed");
    }

    @Command(name = "reseed", description = "Rebuild every tenant the region holds from snapshots of their primaries"
            + " (POST /admin/regions/{region}/reseed): each tenant syncs there again; follow with 'meridianctl sync"
            + " list' on a node of the region.")
    int reseed(@Parameters(paramLabel = "<region>") String region) {
        HttpApi.Response response = group.root().api().post("/admin/regions/" + HttpApi.segment(region) + "/reseed",
                null);
        Printer printer = group.root().printer();
        JsonNode body = response.body();
        if (printer.json()) {
            printer.json(body);
            return ExitCode.OK;
        }
        printer.line("re-seeding " + region + ": " + body.path("tenants").size() + " tenant(s) syncing again "
                + body.path("tenants") + (body.path("already_syncing").isEmpty() ? ""
                : ", already syncing " + body.path("already_syncing")));
        return ExitCode.OK;
    }
}
