@NullMarked
package dev.paperpod.scheduler;

import org.jspecify.annotations.NullMarked;
