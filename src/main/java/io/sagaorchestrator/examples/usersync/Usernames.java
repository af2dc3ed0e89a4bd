package io.sagaorchestrator.examples.usersync;

import java.util.Objects;

import net.sourceforge.pinyin4j.PinyinHelper;
import net.sourceforge.pinyin4j.format.HanyuPinyinCaseType;
import net.sourceforge.pinyin4j.format.HanyuPinyinOutputFormat;
import net.sourceforge.pinyin4j.format.HanyuPinyinToneType;
import net.sourceforge.pinyin4j.format.HanyuPinyinVCharType;
import net.sourceforge.pinyin4j.format.exception.BadHanyuPinyinOutputFormatCombination;

/**
 * The username TT registers a liaison under. It must match what the original integration derived,
 * character for character: TT answers EXISTS by username, so a different spelling would register
 * the same person twice.
 */
public final class Usernames {

    private Usernames() {
    }

    /**
     * The pinyin of {@code name} (lower case, no tones, 'ü' as 'v', no separators; a polyphonic
     * character takes pinyin4j's first reading) followed by {@code phone}. Characters without a
     * pinyin are kept lower-cased; whitespace is dropped.
     */
    public static String of(String name, String phone) {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(phone, "phone");
        // HanyuPinyinOutputFormat is mutable and not thread-safe: one per call costs less than a lock
        HanyuPinyinOutputFormat format = format();
        StringBuilder username = new StringBuilder(name.length() * 4 + phone.length());
        name.codePoints().forEach(cp -> appendSpelling(username, cp, format));
        return username.append(phone).toString();
    }

    private static void appendSpelling(StringBuilder username, int codePoint, HanyuPinyinOutputFormat format) {
        // isSpaceChar too: names pasted from office documents carry no-break and ideographic spaces
        if (Character.isWhitespace(codePoint) || Character.isSpaceChar(codePoint)) {
            return;
        }
        String[] readings = Character.isBmpCodePoint(codePoint) ? readings((char) codePoint, format) : null;
        if (readings == null || readings.length == 0) {
            username.appendCodePoint(Character.toLowerCase(codePoint));
        } else {
            username.append(readings[0]);
        }
    }

    private static String[] readings(char c, HanyuPinyinOutputFormat format) {
        try {
            return PinyinHelper.toHanyuPinyinStringArray(c, format);
        } catch (BadHanyuPinyinOutputFormatCombination e) {
            // only tone marks combined with a 'ü' other than Unicode are rejected; format() asks for neither
            throw new IllegalStateException(e);
        }
    }

    private static HanyuPinyinOutputFormat format() {
        HanyuPinyinOutputFormat format = new HanyuPinyinOutputFormat();
        format.setCaseType(HanyuPinyinCaseType.LOWERCASE);
        format.setToneType(HanyuPinyinToneType.WITHOUT_TONE);
        format.setVCharType(HanyuPinyinVCharType.WITH_V);
        return format;
    }
}
