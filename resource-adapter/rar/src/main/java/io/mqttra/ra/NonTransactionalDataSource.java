package io.mqttra.ra;

import java.io.PrintWriter;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.util.logging.Logger;
import javax.sql.DataSource;

/**
 * A server data source whose connections stay out of the caller's JTA transaction.
 *
 * <p>The store commits its own (resource-local) transactions, often on a thread that is delivering to a
 * message-driven bean inside a container transaction. A Payara JDBC resource enlists every connection taken in a
 * transaction, so at the bean's commit Payara commits the store's connection once more, which the driver refuses
 * (PostgreSQL: "Cannot commit when autoCommit is enabled") and the delivery is rolled back. Payara's data sources
 * ({@code com.sun.appserv.jdbc.DataSource}) hand out connections outside any transaction through
 * {@code getNonTxConnection()}; this class takes them from there. Other data sources are used as they are.
 */
final class NonTransactionalDataSource implements DataSource {

    private final DataSource server;
    private final Method nonTx;
    private final Method nonTxWithUser;

    private NonTransactionalDataSource(DataSource server, Method nonTx, Method nonTxWithUser) {
        this.server = server;
        this.nonTx = nonTx;
        this.nonTxWithUser = nonTxWithUser;
    }

    /** The data source, reading connections outside transactions where the server offers that. */
    static DataSource of(DataSource server) {
        Method nonTx = interfaceMethod(server.getClass());
        Method nonTxWithUser = interfaceMethod(server.getClass(), String.class, String.class);
        return nonTx == null || nonTxWithUser == null
                ? server
                : new NonTransactionalDataSource(server, nonTx, nonTxWithUser);
    }

    /** Looked up on the interfaces: the implementing class need not be public. */
    private static Method interfaceMethod(Class<?> type, Class<?>... parameters) {
        for (Class<?> c = type; c != null; c = c.getSuperclass()) {
            for (Class<?> i : c.getInterfaces()) {
                try {
                    return i.getMethod("getNonTxConnection", parameters);
                } catch (NoSuchMethodException e) {
                    // not this interface
                }
            }
        }
        return null;
    }

    @Override
    public Connection getConnection() throws SQLException {
        return call(nonTx);
    }

    @Override
    public Connection getConnection(String user, String password) throws SQLException {
        return call(nonTxWithUser, user, password);
    }

    private Connection call(Method m, Object... args) throws SQLException {
        try {
            return (Connection) m.invoke(server, args);
        } catch (InvocationTargetException e) {
            if (e.getCause() instanceof SQLException sql) {
                throw sql;
            }
            throw new SQLException("cannot get a connection outside transactions from " + server, e.getCause());
        } catch (IllegalAccessException e) {
            throw new SQLException("cannot get a connection outside transactions from " + server, e);
        }
    }

    @Override
    public PrintWriter getLogWriter() throws SQLException {
        return server.getLogWriter();
    }

    @Override
    public void setLogWriter(PrintWriter out) throws SQLException {
        server.setLogWriter(out);
    }

    @Override
    public void setLoginTimeout(int seconds) throws SQLException {
        server.setLoginTimeout(seconds);
    }

    @Override
    public int getLoginTimeout() throws SQLException {
        return server.getLoginTimeout();
    }

    @Override
    public Logger getParentLogger() throws SQLFeatureNotSupportedException {
        return server.getParentLogger();
    }

    @Override
    public <T> T unwrap(Class<T> type) throws SQLException {
        return type.isInstance(server) ? type.cast(server) : server.unwrap(type);
    }

    @Override
    public boolean isWrapperFor(Class<?> type) throws SQLException {
        return type.isInstance(server) || server.isWrapperFor(type);
    }

    @Override
    public String toString() {
        return server + " (connections outside transactions)";
    }
}
