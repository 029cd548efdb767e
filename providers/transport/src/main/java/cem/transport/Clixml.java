package cem.transport;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * PowerShell over WinRM writes its error stream as CLIXML ({@code #< CLIXML} then XML with
 * progress records). Users see the error text only.
 */
final class Clixml {

    private static final Pattern ERROR = Pattern.compile("<S S=\"Error\">(.*?)</S>", Pattern.DOTALL);
    private static final Pattern ESCAPE = Pattern.compile("_x([0-9A-Fa-f]{4})_");

    private Clixml() {}

    static String clean(String stderr) {
        if (!stderr.startsWith("#< CLIXML")) {
            return stderr;
        }
        StringBuilder out = new StringBuilder();
        Matcher m = ERROR.matcher(stderr);
        while (m.find()) {
            Matcher e = ESCAPE.matcher(m.group(1));
            StringBuilder text = new StringBuilder();
            while (e.find()) {
                e.appendReplacement(text, Matcher.quoteReplacement(String.valueOf((char) Integer.parseInt(e.group(1), 16))));
            }
            e.appendTail(text);
            out.append(text.toString().replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&"));
        }
        return out.toString();
    }
}
