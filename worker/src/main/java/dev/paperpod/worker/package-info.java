@NullMarked
package dev.paperpod.worker;

import org.jspecify.annotations.NullMarked;
