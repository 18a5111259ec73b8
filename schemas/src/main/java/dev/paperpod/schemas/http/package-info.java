@NullMarked
package dev.paperpod.schemas.http;

import org.jspecify.annotations.NullMarked;
