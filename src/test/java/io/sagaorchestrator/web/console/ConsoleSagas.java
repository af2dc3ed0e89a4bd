package io.sagaorchestrator.web.console;

import io.sagaorchestrator.definitions.SagaDefinition;

import java.time.Duration;

import static io.sagaorchestrator.testsupport.UserSyncFixture.addUser;
import static io.sagaorchestrator.testsupport.UserSyncFixture.deleteUser;
import static io.sagaorchestrator.testsupport.UserSyncFixture.execute;
import static io.sagaorchestrator.testsupport.UserSyncFixture.givenStuckUserSync;
import static io.sagaorchestrator.testsupport.UserSyncFixture.startUserSync;
import static io.sagaorchestrator.testsupport.UserSyncFixture.tt;
import static io.sagaorchestrator.testsupport.UserSyncFixture.ttAnswer;
import static io.sagaorchestrator.testsupport.UserSyncFixture.ttError;
import static org.hamcrest.Matchers.equalTo;

/** Sagas in the states the console's tests look at, made through the API and the TT double. */
final class ConsoleSagas {

    private ConsoleSagas() {
    }

    /** TT creates the user; the local save breaks the unique phone; TT refuses every delete: ESCALATED. */
    static String escalated(String name, String phone) {
        String username = name.toLowerCase() + phone;
        tt().register(addUser(username).willReturn(ttAnswer("OK", "tt-" + phone)));
        tt().register(deleteUser("tt-" + phone).willReturn(ttError(503)));
        givenTheLocalSaveWillFail(phone);
        return startUserSync(name, phone, 30).then().statusCode(409).body("status", equalTo("ESCALATED")).extract().path("sagaId");
    }

    /** As {@link #escalated} but TT deletes the user: COMPENSATED. */
    static String compensated(String name, String phone) {
        tt().register(addUser(name.toLowerCase() + phone).willReturn(ttAnswer("OK", "tt-" + phone)));
        tt().register(deleteUser("tt-" + phone).willReturn(ttAnswer("OK", null)));
        givenTheLocalSaveWillFail(phone);
        return startUserSync(name, phone, 30).then().statusCode(409).body("status", equalTo("COMPENSATED")).extract().path("sagaId");
    }

    static String completed(String name, String phone) {
        tt().register(addUser(name.toLowerCase() + phone).willReturn(ttAnswer("OK", "tt-" + phone)));
        tt().register(deleteUser("tt-" + phone).willReturn(ttAnswer("OK", null)));
        return startUserSync(name, phone, 30).then().statusCode(200).extract().path("sagaId");
    }

    /**
     * RUNNING at tt-add-user after three unknown outcomes, its next try an hour away; TT will create and delete
     * the user when asked.
     */
    static String stuck(SagaDefinition userSync, String name, String phone) {
        String username = name.toLowerCase() + phone;
        tt().register(addUser(username).willReturn(ttAnswer("OK", "tt-" + phone)));
        tt().register(deleteUser("tt-" + phone).willReturn(ttAnswer("OK", null)));
        return givenStuckUserSync(userSync.hash(), userSync.version(), username, phone, 3, Duration.ofHours(1)).toString();
    }

    private static void givenTheLocalSaveWillFail(String phone) {
        execute("insert into liaison_info (id, name, phone, username, remote_user_id) values (nextval('liaison_info_seq'),"
                + " 'Someone Else', ?, ?, 'tt-other')", phone, "someoneelse" + phone);
    }
}
