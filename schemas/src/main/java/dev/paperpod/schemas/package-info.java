@NullMarked
package dev.paperpod.schemas;

import org.jspecify.annotations.NullMarked;
