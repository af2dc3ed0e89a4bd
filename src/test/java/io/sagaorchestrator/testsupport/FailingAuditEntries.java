package io.sagaorchestrator.testsupport;

import static io.sagaorchestrator.testsupport.UserSyncFixture.execute;

/**
 * Makes the database fail an operation mid-way: the insert of its audit entry, the last write of the operation's
 * transaction, raises an error when the reason holds the marker, after the saga's row has been written.
 */
public final class FailingAuditEntries implements AutoCloseable {

    public static final String MARKER = "[fail-audit]";

    private FailingAuditEntries() {
    }

    public static FailingAuditEntries whenTheReasonSaysSo() {
        execute("create or replace function test_fail_audit() returns trigger language plpgsql as $$ begin"
                + " if position('" + MARKER + "' in new.reason) > 0 then raise exception 'injected by the test: the database failed'; end if;"
                + " return new; end $$");
        execute("create or replace trigger test_fail_audit before insert on saga_audit for each row execute function test_fail_audit()");
        return new FailingAuditEntries();
    }

    @Override
    public void close() {
        execute("drop trigger if exists test_fail_audit on saga_audit");
    }
}
