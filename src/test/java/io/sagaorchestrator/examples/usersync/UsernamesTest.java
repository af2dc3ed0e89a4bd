package io.sagaorchestrator.examples.usersync;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.stream.IntStream;

import org.junit.jupiter.api.Test;

class UsernamesTest {

    @Test
    void chineseNameBecomesItsPinyinFollowedByThePhone() {
        // given
        String name = "张三";
        String phone = "13800000000";

        // when
        String username = Usernames.of(name, phone);

        // then
        assertEquals("zhangsan13800000000", username);
    }

    @Test
    void umlautIsSpelledAsV() {
        // given
        String name = "吕女";

        // when
        String username = Usernames.of(name, "13800000001");

        // then
        assertEquals("lvnv13800000001", username);
    }

    @Test
    void polyphonicCharacterTakesTheFirstReadingEvenWhereTheSurnameReadsOtherwise() {
        // given: as a surname 曾 reads "zeng", but pinyin4j lists "ceng" first
        String name = "曾";

        // when
        String username = Usernames.of(name, "13800000002");

        // then
        assertEquals("ceng13800000002", username);
    }

    @Test
    void latinNameIsLowerCasedWithoutSpaces() {
        // given
        String name = " User 7 ";

        // when
        String username = Usernames.of(name, "13800000007");

        // then
        assertEquals("user713800000007", username);
    }

    @Test
    void hyphenIsKeptAsTheBenchmarkExpects() {
        // given
        String name = "user-7";

        // when
        String username = Usernames.of(name, "13800000007");

        // then
        assertEquals("user-713800000007", username);
    }

    @Test
    void mixedNameSpellsChineseAndKeepsTheRest() {
        // given: Latin, a no-break space, Chinese and an ideographic space
        String name = "Li\u00A0张\u3000三B";

        // when
        String username = Usernames.of(name, "13800000003");

        // then
        assertEquals("lizhangsanb13800000003", username);
    }

    @Test
    void sameInputGivesTheSameUsernameFromManyThreads() {
        // given
        String expected = Usernames.of("张三", "13800000000");

        // when
        long mismatches = IntStream.range(0, 2_000).parallel()
                .mapToObj(i -> Usernames.of("张三", "13800000000"))
                .filter(username -> !username.equals(expected))
                .count();

        // then
        assertEquals(0, mismatches);
    }
}
