package cem.transport;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * PowerShell over WinRM writes its error stream as CLIXML ({@code #< CLIXML} then XML with
 * progress records). Users see the error text only.
 */
final class Clixml {

    private static final String OPEN = "<S S=\"Error\">";
    private static final String CLOSE = "</S>";
    private static final Pattern ESCAPE = Pattern.compile("_x([0-9A-Fa-f]{4})_");

    private Clixml() {}

    static String clean(String stderr) {
        if (!stderr.startsWith("#< CLIXML")) {
            return stderr;
        }
        StringBuilder out = new StringBuilder();
        // indexOf, not a lazy regex: records that never close made the regex scan to the end from each one (quadratic)
        for (int at = stderr.indexOf(OPEN); at >= 0; ) {
            int end = stderr.indexOf(CLOSE, at + OPEN.length());
            if (end < 0) {
                break;
            }
            Matcher e = ESCAPE.matcher(stderr.substring(at + OPEN.length(), end));
            StringBuilder text = new StringBuilder();
            while (e.find()) {
                e.appendReplacement(text, Matcher.quoteReplacement(String.valueOf((char) Integer.parseInt(e.group(1), 16))));
            }
            e.appendTail(text);
            out.append(text.toString().replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&"));
            at = stderr.indexOf(OPEN, end + CLOSE.length());
        }
        return out.toString();
    }
}
