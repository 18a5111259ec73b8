/** The files jobs gave, to the accounts that ran them: {@code GET /v1/jobs/{id}/artifacts[/{name}]}. */
@NullMarked
package dev.paperpod.api.artifacts;

import org.jspecify.annotations.NullMarked;
