package probe;

import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.event.Observes;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.rest.client.inject.RestClient;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The floor of this stack, NOT a saga orchestrator: the benchmark's user-sync saga on Quarkus REST, the Quarkus REST client
 * and Agroal with plain JDBC, with the service's two commits and an attempt row, and nothing else. No authentication, no
 * validation, no lease, fence, retry, recovery, metrics or tracing; a crash between its commits loses the saga. Run by the
 * reference harness in the service's place (see README, Performance), it shows the most any design on these frameworks
 * could do per second on the machine, in the same run as the peers.
 */
@Path("/")
public class Probe {

    private static final AtomicLong LIAISON_IDS = new AtomicLong(System.nanoTime());
    private final DataSource database;
    private final Tt tt;

    Probe(DataSource database, @RestClient Tt tt) {
        this.database = database;
        this.tt = tt;
    }

    /** The harness gives a fresh database and reads liaison_info / lz_liaison to check that TT and the rows agree. */
    void schema(@Observes StartupEvent started) throws SQLException {
        try (Connection c = database.getConnection(); Statement s = c.createStatement()) {
            s.execute("""
                    create table if not exists saga (id uuid primary key, status text not null, input text not null, result text,
                        version int not null);
                    create table if not exists attempt (saga_id uuid not null, step text not null, started_at timestamptz not null,
                        ended_at timestamptz, outcome text);
                    create table if not exists liaison_info (id bigint primary key, name text not null, phone text not null unique,
                        username text not null unique, remote_user_id text not null, created_at timestamptz not null default now());
                    create table if not exists lz_liaison (liaison_id bigint primary key references liaison_info (id),
                        saga_id uuid not null, remote_user_id text not null, remote_status text not null,
                        created_at timestamptz not null default now());
                    """);
        }
    }

    @GET
    @Path("q/health/ready")
    public String ready() {
        return "{\"status\":\"UP\"}";
    }

    /** Every saga ends before its request is answered, so none is ever left running. */
    @GET
    @Path("api/sagas")
    @Produces("application/json")
    public Map<String, Object> running() {
        return Map.of("items", List.of());
    }

    public record Start(String name, String phone, List<Integer> roleIds) {
    }

    @POST
    @Path("api/sagas/user-sync")
    @Consumes("application/json")
    @Produces("application/json")
    public Response start(Start start) throws SQLException {
        UUID sagaId = UUID.randomUUID();
        String username = start.name().toLowerCase(Locale.ROOT).replace(" ", "") + start.phone();
        try (Connection c = transaction()) {
            execute(c, "insert into saga (id, status, input, version) values (?, 'RUNNING', ?, 1)",
                    sagaId, "{\"name\":\"" + start.name() + "\",\"phone\":\"" + start.phone() + "\"}");
            execute(c, "insert into attempt (saga_id, step, started_at) values (?, 'ttAddUser', now())", sagaId);
            c.commit();
        }
        String remoteId = tt.add("probe", new Tt.NewUser(username, "probe", start.name(), start.phone(), start.roleIds())).data();
        try (Connection c = transaction()) {
            try {
                execute(c, """
                        with l as (insert into liaison_info (id, name, phone, username, remote_user_id) values (?, ?, ?, ?, ?) returning id)
                        insert into lz_liaison (liaison_id, saga_id, remote_user_id, remote_status) select id, ?, ?, 'OK' from l""",
                        LIAISON_IDS.incrementAndGet(), start.name(), start.phone(), username, remoteId, sagaId, remoteId);
                end(c, sagaId, "COMPLETED", "{\"remoteUserId\":\"" + remoteId + "\"}");
                return Response.ok(Map.of("sagaId", sagaId.toString(), "status", "COMPLETED",
                        "result", Map.of("remoteUserId", remoteId))).build();
            } catch (SQLException localStepFailed) {
                c.rollback();
            }
            for (int attempt = 0; attempt < 3; attempt++) {
                try {
                    tt.delete("probe", remoteId);
                    break;
                } catch (RuntimeException tryAgain) {
                    // the benchmark's compensation: three attempts
                }
            }
            end(c, sagaId, "COMPENSATED", null);
            return Response.status(409).type("application/problem+json")
                    .entity(Map.of("status", "COMPENSATED", "sagaId", sagaId.toString())).build();
        }
    }

    private Connection transaction() throws SQLException {
        Connection c = database.getConnection();
        c.setAutoCommit(false);
        return c;
    }

    private static void end(Connection c, UUID sagaId, String status, String result) throws SQLException {
        execute(c, "update attempt set ended_at = now(), outcome = 'OK' where saga_id = ? and ended_at is null", sagaId);
        execute(c, "update saga set status = ?, result = ?, version = version + 1 where id = ?", status, result, sagaId);
        c.commit();
    }

    private static void execute(Connection c, String sql, Object... values) throws SQLException {
        try (PreparedStatement s = c.prepareStatement(sql)) {
            for (int i = 0; i < values.length; i++) {
                s.setObject(i + 1, values[i]);
            }
            s.executeUpdate();
        }
    }
}
