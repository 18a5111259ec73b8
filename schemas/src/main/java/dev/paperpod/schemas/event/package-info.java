@NullMarked
package dev.paperpod.schemas.event;

import org.jspecify.annotations.NullMarked;
