package dev.paperpod.schemas.job;

import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Arrays;
import java.util.Optional;

/** Languages an exec job can be written in. */
public enum Language {
    PYTHON("python"),
    JAVASCRIPT("javascript"),
    SHELL("shell");

    private final String wireName;

    Language(String wireName) {
        this.wireName = wireName;
    }

    @JsonValue
    public String wireName() {
        return wireName;
    }

    public static Optional<Language> fromWireName(String name) {
        return Arrays.stream(values()).filter(l -> l.wireName.equals(name)).findFirst();
    }

    public static String wireNames() {
        return String.join(", ", Arrays.stream(values()).map(Language::wireName).toList());
    }
}
