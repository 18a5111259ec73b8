/**
 * The artifact store: files that jobs give, kept apart from their results (which carry only references) and served
 * to the job's account until they expire.
 */
@NullMarked
package dev.paperpod.artifacts;

import org.jspecify.annotations.NullMarked;
