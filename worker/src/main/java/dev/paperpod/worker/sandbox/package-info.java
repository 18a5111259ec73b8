@NullMarked
package dev.paperpod.worker.sandbox;

import org.jspecify.annotations.NullMarked;
