package io.sagaorchestrator.examples.usersync.simulator;

import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * TT's user table, in memory. {@code idsByUsername} is the truth: a user exists while its username
 * maps to its id; {@code usernamesById} only makes look-ups by id cheap and may briefly hold a user
 * that a concurrent delete has already removed.
 */
final class SimulatedUsers {

    record Registration(String id, boolean created) {
    }

    private final Map<String, String> idsByUsername = new ConcurrentHashMap<>();
    private final Map<String, String> usernamesById = new ConcurrentHashMap<>();
    private final AtomicLong lastId = new AtomicLong();

    /**
     * Registers {@code username}, or finds who already holds it: concurrent adds of one name create one user.
     * Empty when a new user would exceed {@code maxUsers} (concurrent adds may overshoot it by a few).
     */
    Optional<Registration> add(String username, int maxUsers) {
        if (idsByUsername.size() >= maxUsers && !idsByUsername.containsKey(username)) {
            return Optional.empty();
        }
        AtomicBoolean created = new AtomicBoolean();
        String id = idsByUsername.computeIfAbsent(username, name -> {
            String fresh = "sim-" + lastId.incrementAndGet();
            // indexed before the id is published, so a caller never holds an id that look-ups miss
            usernamesById.put(fresh, name);
            created.set(true);
            return fresh;
        });
        return Optional.of(new Registration(id, created.get()));
    }

    Optional<String> username(String id) {
        return Optional.ofNullable(usernamesById.get(id))
                .filter(name -> id.equals(idsByUsername.get(name)));
    }

    /** Idempotent, as TT's delete is. */
    void delete(String id) {
        String name = usernamesById.get(id);
        if (name != null) {
            // conditional: the username may already belong to a newer user
            idsByUsername.remove(name, id);
            usernamesById.remove(id);
        }
    }
}
