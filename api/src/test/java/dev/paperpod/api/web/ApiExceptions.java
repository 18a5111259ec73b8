package dev.paperpod.api.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.paperpod.api.ApiProperties;
import java.time.Duration;
import org.assertj.core.api.Assertions;
import org.assertj.core.api.ObjectAssert;
import org.assertj.core.api.ThrowableAssert;
import org.springframework.util.unit.DataSize;

/** What the api's unit tests share: the default settings, and the check of a 400 that names its field. */
public final class ApiExceptions {

    private ApiExceptions() {}

    /** The api's defaults. */
    public static ApiProperties properties() {
        return new ApiProperties(
                "api-test",
                Duration.ofSeconds(30),
                Duration.ofMinutes(10),
                Duration.ofSeconds(30),
                Duration.ofSeconds(60),
                DataSize.ofMegabytes(1),
                null,
                Duration.ofSeconds(10),
                20_000,
                DataSize.ofMegabytes(64),
                null,
                "http");
    }

    /** Asserts {@code call} is refused with 400 {@code INVALID_FIELD} naming {@code field}, with a hint. */
    public static ObjectAssert<ApiException> assertInvalid(ThrowableAssert.ThrowingCallable call, String field) {
        ApiException e = catchThrowableOfType(ApiException.class, call);
        assertThat(e).as("refused").isNotNull();
        assertThat(e.body().error().field()).as(e.getMessage()).isEqualTo(field);
        assertThat(e.body().error().code()).isEqualTo("INVALID_FIELD");
        assertThat(e.body().error().hint()).isNotBlank();
        assertThat(e.status().value()).isEqualTo(400);
        return Assertions.assertThat((Object) e)
                .asInstanceOf(org.assertj.core.api.InstanceOfAssertFactories.type(ApiException.class));
    }
}
