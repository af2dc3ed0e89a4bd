package io.sagaorchestrator.examples.usersync;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.UUID;

/**
 * Every write of the user-sync sagas to {@code liaison_info} and {@code lz_liaison}, on the
 * connection of the saga's step transaction. Plain SQL rather than the entities: these writes are
 * the local half of every saga, and a Hibernate session around them would cost more than the writes.
 * The entities ({@link LiaisonInfo}, {@link LzLiaison}) remain the way to read the tables.
 */
final class Liaisons {

    private Liaisons() {
    }

    /** A liaison TT has, with its link row, in one statement; returns the liaison's id. */
    static long saveSynced(Connection c, UserSyncInput in, UUID sagaId, RemoteUser remote) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("""
                with liaison as (
                    insert into liaison_info (id, name, phone, username, remote_user_id, sync_status)
                    values (nextval('liaison_info_seq'), ?, ?, ?, ?, 'SYNCED') returning id)
                insert into lz_liaison (liaison_id, saga_id, remote_user_id, remote_status)
                select id, ?, ?, ? from liaison returning liaison_id""")) {
            ps.setString(1, in.name());
            ps.setString(2, in.phone());
            ps.setString(3, in.username());
            ps.setString(4, remote.remoteUserId());
            ps.setObject(5, sagaId);
            ps.setString(6, remote.remoteUserId());
            ps.setString(7, remote.remoteStatus());
            return single(ps);
        }
    }

    /** A liaison TT does not have yet; returns its id. */
    static long savePending(Connection c, UserSyncInput in) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("""
                insert into liaison_info (id, name, phone, username, sync_status)
                values (nextval('liaison_info_seq'), ?, ?, ?, 'PENDING') returning id""")) {
            ps.setString(1, in.name());
            ps.setString(2, in.phone());
            ps.setString(3, in.username());
            return single(ps);
        }
    }

    /** The pending liaison got its TT user: it is SYNCED and linked. */
    static void link(Connection c, long liaisonId, UUID sagaId, RemoteUser remote) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("""
                with synced as (
                    update liaison_info set sync_status = 'SYNCED', remote_user_id = ?, sync_error = null where id = ?
                    returning id)
                insert into lz_liaison (liaison_id, saga_id, remote_user_id, remote_status)
                select id, ?, ?, ? from synced""")) {
            ps.setString(1, remote.remoteUserId());
            ps.setLong(2, liaisonId);
            ps.setObject(3, sagaId);
            ps.setString(4, remote.remoteUserId());
            ps.setString(5, remote.remoteStatus());
            ps.executeUpdate();
        }
    }

    /** Keeps the liaison, REJECTED with why, and drops its link. */
    static void markRejected(Connection c, long liaisonId, String why) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("""
                with unlinked as (delete from lz_liaison where liaison_id = ?)
                update liaison_info set sync_status = 'REJECTED', remote_user_id = null, sync_error = ? where id = ?""")) {
            ps.setLong(1, liaisonId);
            ps.setString(2, why);
            ps.setLong(3, liaisonId);
            ps.executeUpdate();
        }
    }

    /** Deletes the liaison and its link; returns how many liaisons went (0 when already gone). */
    static int delete(Connection c, long liaisonId) throws SQLException {
        try (PreparedStatement unlink = c.prepareStatement("delete from lz_liaison where liaison_id = ?");
             PreparedStatement delete = c.prepareStatement("delete from liaison_info where id = ?")) {
            unlink.setLong(1, liaisonId);
            unlink.executeUpdate();
            delete.setLong(1, liaisonId);
            return delete.executeUpdate();
        }
    }

    /**
     * Whether a saga other than {@code sagaId} has linked this TT user, of this username, to a liaison. Looked up by the
     * username (unique, indexed): TT answered EXISTS for it.
     */
    static boolean linkedByAnotherSaga(Connection c, String username, String remoteUserId, UUID sagaId) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("""
                select 1 from liaison_info l join lz_liaison z on z.liaison_id = l.id
                where l.username = ? and l.remote_user_id = ? and l.sync_status = 'SYNCED' and z.saga_id <> ?""")) {
            ps.setString(1, username);
            ps.setString(2, remoteUserId);
            ps.setObject(3, sagaId);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        }
    }

    private static long single(PreparedStatement ps) throws SQLException {
        try (ResultSet rs = ps.executeQuery()) {
            if (!rs.next()) {
                throw new IllegalStateException("the insert returned no id");
            }
            return rs.getLong(1);
        }
    }
}
