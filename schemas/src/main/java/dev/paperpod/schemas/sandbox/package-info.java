/** The commands of an account's own sandbox and their replies, as they travel between the api and its worker. */
@NullMarked
package dev.paperpod.schemas.sandbox;

import org.jspecify.annotations.NullMarked;
