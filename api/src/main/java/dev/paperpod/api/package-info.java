@NullMarked
package dev.paperpod.api;

import org.jspecify.annotations.NullMarked;
