package dev.paperpod.worker.exec;

import dev.paperpod.schemas.job.Language;
import java.util.List;

/**
 * How each language runs in a sandbox: the program is written to a script file, whose path the agent appends to
 * the interpreter's arguments; no command-line length limit applies and errors name the file.
 */
record LanguageCommand(List<String> interpreter, String scriptName) {

    static LanguageCommand of(Language language) {
        return switch (language) {
            // -u: unbuffered, so output streams as it is printed
            case PYTHON -> new LanguageCommand(List.of("python3", "-u"), "main.py");
            case JAVASCRIPT -> new LanguageCommand(List.of("node"), "main.js");
            case SHELL -> new LanguageCommand(List.of("bash"), "main.sh");
        };
    }
}
