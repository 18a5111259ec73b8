package dev.paperpod.store;

import java.util.List;
import java.util.function.Function;
import java.util.function.IntFunction;

/**
 * Parameters for statements over many rows at once ({@code select … from unnest(?::uuid[], ?::text[], …)}): one array
 * per column, in the order of the rows.
 */
final class Unnest {

    private Unnest() {}

    /** The column {@code value} picks out of each row, as the typed array the driver binds ({@code UUID[]::new}). */
    static <T, C> C[] column(List<T> rows, Function<T, C> value, IntFunction<C[]> array) {
        C[] column = array.apply(rows.size());
        for (int i = 0; i < column.length; i++) {
            column[i] = value.apply(rows.get(i));
        }
        return column;
    }
}
