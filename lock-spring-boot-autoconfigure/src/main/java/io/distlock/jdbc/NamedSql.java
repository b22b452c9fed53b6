package io.distlock.jdbc;

import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.jspecify.annotations.Nullable;

/**
 * A statement written with named parameters ({@code :owner}), turned into JDBC's positional ones once,
 * so that the dialects can use a value several times without counting question marks. A colon that
 * follows a colon or a word character ({@code ::bigint}, {@code '00:00'}) is not a parameter.
 */
final class NamedSql {

	private static final Pattern PARAMETER = Pattern.compile("(?<![:\\w]):([A-Za-z_]\\w*)");

	private final String sql;

	private final List<String> names;

	private NamedSql(String sql, List<String> names) {
		this.sql = sql;
		this.names = names;
	}

	/** Parses {@code sql}; {@code null} stays {@code null} (a statement the dialect does not have). */
	static @Nullable NamedSql parseIfPresent(@Nullable String sql) {
		return (sql != null) ? parse(sql) : null;
	}

	/** Parses {@code sql}. */
	static NamedSql parse(String sql) {
		List<String> names = new ArrayList<>();
		Matcher matcher = PARAMETER.matcher(sql);
		StringBuilder positional = new StringBuilder();
		while (matcher.find()) {
			names.add(matcher.group(1));
			matcher.appendReplacement(positional, "?");
		}
		matcher.appendTail(positional);
		return new NamedSql(positional.toString(), List.copyOf(names));
	}

	/** Returns the statement with positional parameters. */
	String sql() {
		return this.sql;
	}

	/** Binds {@code values} by name. */
	void bind(PreparedStatement statement, Map<String, Object> values) throws SQLException {
		for (int i = 0; i < this.names.size(); i++) {
			Object value = values.get(this.names.get(i));
			if (value == null && !values.containsKey(this.names.get(i))) {
				throw new IllegalArgumentException("No value for :" + this.names.get(i) + " in " + this.sql);
			}
			statement.setObject(i + 1, value);
		}
	}

	@Override
	public String toString() {
		return this.sql;
	}
}
