package io.sagaorchestrator.testsupport;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.UUID;

import static io.sagaorchestrator.testsupport.UserSyncFixture.execute;

/**
 * An earlier version of user-sync kept in the saga log, as an instance that ran it would have left it, and sagas
 * pinned to it: what re-planning onto the shipped (current) version starts from.
 */
public final class EarlierUserSync {

    private EarlierUserSync() {
    }

    /** The shipped user-sync as v1 was: one attempt for ttDeleteUser where the shipped version gives 12. */
    public static String v1() {
        return shipped().replace("version: " + shippedVersion(), "version: 1").replace("attempts: 12", "attempts: 1");
    }

    /** Keeps {@code content} in the log as user-sync v1 and gives its hash. */
    public static String kept(String content) {
        String hash = sha256(content);
        execute("insert into saga_definition (name, version, hash, content) values ('user-sync', 1, ?, ?) on conflict do nothing",
                hash, content);
        return hash;
    }

    /**
     * A saga on the v1 {@code hash} whose step {@code firstStep} created TT user tt-{phone}, then escalated when its
     * compensation's one attempt failed.
     */
    public static String sagaEscalatedUndoing(String hash, String firstStep, String phone) {
        UUID id = UUID.randomUUID();
        String username = "replan" + phone;
        execute("insert into saga (id, definition_name, definition_version, definition_hash, status, business_key, input, step_index,"
                        + " attempt, step_states, version, last_error) values (?, 'user-sync', 1, ?, 'ESCALATED', ?, cast(? as jsonb), 0, 1,"
                        + " cast(? as jsonb), 1, ?)",
                id, hash, username,
                "{\"name\":\"Replan\",\"phone\":\"" + phone + "\",\"roleIds\":[3],\"username\":\"" + username + "\"}",
                "{\"" + firstStep + "\": {\"effect\": \"DONE\", \"output\": {\"remoteUserId\": \"tt-" + phone
                        + "\", \"remoteStatus\": \"OK\", \"ownership\": \"CREATED\"}}}",
                firstStep + ": UnavailableFailure: HTTP 503");
        execute("insert into saga_step_attempt (saga_id, step_name, direction, attempt, outcome, instance, started_at, ended_at)"
                + " values (?, ?, 'FORWARD', 1, 'SUCCEEDED', 'gone', now() - interval '1 minute', now())", id, firstStep);
        execute("insert into saga_step_attempt (saga_id, step_name, direction, attempt, outcome, instance, started_at, ended_at,"
                + " error_class, error_message) values (?, ?, 'COMPENSATION', 1, 'FAILED', 'gone', now(), now(),"
                + " 'UnavailableFailure', 'HTTP 503')", id, firstStep);
        return id.toString();
    }

    /** The version of the shipped user-sync, which a re-plan moves sagas to. */
    public static int shippedVersion() {
        Matcher version = Pattern.compile("(?m)^version: (\\d+)$").matcher(shipped());
        if (!version.find()) {
            throw new IllegalStateException("saga-definitions/user-sync.yaml declares no version");
        }
        return Integer.parseInt(version.group(1));
    }

    private static String shipped() {
        try {
            return Files.readString(Path.of("saga-definitions/user-sync.yaml"));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String sha256(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
