@NullMarked
package dev.paperpod.api.sync;

import org.jspecify.annotations.NullMarked;
