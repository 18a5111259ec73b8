@NullMarked
package dev.paperpod.scheduler.projection;

import org.jspecify.annotations.NullMarked;
