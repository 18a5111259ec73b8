@NullMarked
package dev.paperpod.api.health;

import org.jspecify.annotations.NullMarked;
