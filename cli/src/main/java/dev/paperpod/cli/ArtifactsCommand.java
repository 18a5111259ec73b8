package dev.paperpod.cli;

import java.io.OutputStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import tools.jackson.databind.JsonNode;

/**
 * {@code ppod artifacts <job> [name]}: the files a job gave (a background screenshot or PDF, a trace, its console
 * log and HAR), listed, or one of them downloaded.
 */
@Command(
        name = "artifacts",
        description = "List the files a job gave (screenshots, PDFs, traces), or download one: artifacts <job> <name>.")
final class ArtifactsCommand implements Callable<Integer> {

    @Mixin
    Ppod.Target target;

    @Parameters(index = "0", description = "the job's id")
    String job;

    @Parameters(index = "1", arity = "0..1", description = "the artifact to download (e.g. trace.zip)")
    @Nullable
    String name;

    @Option(
            names = {"-o", "--output"},
            description = "write the artifact to this file (default: standard output)")
    @Nullable
    Path output;

    @Override
    public Integer call() throws Exception {
        String path = "/v1/jobs/" + job + "/artifacts";
        if (name == null) {
            JsonNode listed = target.client().get(path);
            if (target.json) {
                target.printedJson(listed);
                return 0;
            }
            PrintWriter out = target.out();
            for (JsonNode a : listed.path("artifacts")) {
                out.println(
                        a.path("name").asString() + "  " + a.path("contentType").asString() + "  "
                                + a.path("size").asLong() + " bytes  until "
                                + a.path("expiresAt").asString());
            }
            out.flush();
            return 0;
        }
        if (output == null) {
            target.client().download(path + "/" + name, System.out, (done, total) -> {});
            System.out.flush();
            return 0;
        }
        long bytes;
        try (OutputStream out = Files.newOutputStream(output)) {
            bytes = target.client().download(path + "/" + name, out, (done, total) -> {});
        }
        if (!target.json) {
            target.out().println("wrote " + output + " (" + name + ", " + bytes + " bytes)");
            target.out().flush();
        }
        return 0;
    }
}
