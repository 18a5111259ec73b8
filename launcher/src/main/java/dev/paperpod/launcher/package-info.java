/** The embedded default: everything PaperPod needs, in one process, for one machine. */
@NullMarked
package dev.paperpod.launcher;

import org.jspecify.annotations.NullMarked;
