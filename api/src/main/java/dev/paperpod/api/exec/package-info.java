@NullMarked
package dev.paperpod.api.exec;

import org.jspecify.annotations.NullMarked;
