package io.loomsocket.channels;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SetArgs;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.resource.ClientResources;
import io.loomsocket.web.auth.SessionData;
import io.loomsocket.web.auth.SessionStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Sessions in Redis ({@code session.store=redis://host:port/db}): every server using the same
 * Redis shares logins, and {@link #delete} (logout, key rotation) ends a session for all of them;
 * their open WebSockets of it are closed with 1008 at their next {@code session.check_interval}.
 * A session is the string {@code loomsocket:session:<id>} holding its form-encoded values, with
 * a time to live of {@code session.cookie_age} from its last save. The cookie carries only the
 * id (signed by the session middleware).
 *
 * <p>Every command waits at most {@link #COMMAND_TIMEOUT}; while Redis is unreachable a request
 * that needs its session fails (500) rather than being treated as logged out, and open
 * WebSockets stay open until Redis answers again. Thread-safe.
 */
public final class RedisSessionStore implements SessionStore {
    /** Longest wait for one Redis command (or one batch of EXISTS). */
    public static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(2);
    /** EXISTS commands pipelined at once by {@link #existing}. */
    static final int EXISTS_BATCH = 1000;
    private static final String PREFIX = "loomsocket:session:";

    private final String where;
    private final ClientResources resources;
    private final RedisClient client;
    private final StatefulRedisConnection<String, String> conn;
    private final RedisAsyncCommands<String, String> redis;

    /**
     * Connects now.
     *
     * @throws IllegalStateException if Redis cannot be reached
     */
    public RedisSessionStore(String uri) {
        RedisURI redisUri = RedisURI.create(uri);
        redisUri.setTimeout(COMMAND_TIMEOUT);
        this.where = redisUri.getHost() + ":" + redisUri.getPort() + "/" + redisUri.getDatabase();
        this.resources = ClientResources.builder().ioThreadPoolSize(2).computationThreadPoolSize(2).build();
        this.client = RedisClient.create(resources, redisUri);
        client.setOptions(ClientOptions.builder().autoReconnect(true)
                .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS).build());
        try {
            this.conn = client.connect(StringCodec.UTF8);
        } catch (RuntimeException e) {
            client.shutdown(0, 2, TimeUnit.SECONDS);
            resources.shutdown(0, 2, TimeUnit.SECONDS);
            throw new IllegalStateException("session store: cannot connect to Redis at " + where + ": " + e.getMessage(), e);
        }
        this.redis = conn.async();
    }

    @Override
    public Optional<SessionData> load(String token) {
        if (!SessionData.isValidId(token)) return Optional.empty();
        String values = await(redis.get(PREFIX + token), "GET");
        return values == null ? Optional.empty() : Optional.of(SessionData.decode(token, values));
    }

    @Override
    public String save(SessionData session, Duration maxAge) {
        await(redis.set(PREFIX + session.id(), session.encodeValues(), SetArgs.Builder.px(maxAge.toMillis())), "SET");
        return session.id();
    }

    @Override
    public void delete(String id) {
        if (SessionData.isValidId(id)) await(redis.del(PREFIX + id), "DEL");
    }

    @Override
    public Set<String> existing(Collection<String> ids) {
        List<String> all = new ArrayList<>(ids);
        Set<String> existing = new HashSet<>();
        for (int from = 0; from < all.size(); from += EXISTS_BATCH) {
            List<String> batch = all.subList(from, Math.min(all.size(), from + EXISTS_BATCH));
            List<RedisFuture<Long>> replies = new ArrayList<>(batch.size());
            for (String id : batch) replies.add(redis.exists(PREFIX + id)); // pipelined on one connection
            for (int i = 0; i < batch.size(); i++) {
                Long n = await(replies.get(i), "EXISTS");
                if (n != null && n > 0) existing.add(batch.get(i));
            }
        }
        return existing;
    }

    private <T> T await(RedisFuture<T> reply, String command) {
        try {
            return reply.get(COMMAND_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("session store: interrupted waiting for Redis " + command, e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("session store: Redis at " + where + " failed " + command + ": " + e, e);
        }
    }

    @Override
    public void close() {
        conn.close();
        client.shutdown(0, 2, TimeUnit.SECONDS);
        resources.shutdown(0, 2, TimeUnit.SECONDS);
    }

    @Override
    public String toString() {
        return "RedisSessionStore(" + where + ")";
    }
}
