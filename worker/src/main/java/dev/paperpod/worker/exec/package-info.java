@NullMarked
package dev.paperpod.worker.exec;

import org.jspecify.annotations.NullMarked;
