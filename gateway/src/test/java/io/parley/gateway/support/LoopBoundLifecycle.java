package io.parley.gateway.support;

import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.util.concurrent.EventExecutor;
import io.parley.gateway.auth.Principal;
import io.parley.gateway.connection.ConnectionLifecycle;
import io.parley.gateway.connection.DialectEndpoint;
import io.parley.gateway.session.Session;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.Set;

/**
 * The real {@link ConnectionLifecycle} , with the handlers it installs under
 * the given names bound to a {@link TestThreadExecutor} instead of the channel's
 * {@code EmbeddedEventLoop} — as a test does with {@code pipeline.addLast(loop, name, handler)}
 * for a handler it adds itself.
 *
 * <p>Why: a handler installed by the lifecycle (the chat handler after a {@code pair} hello, the
 * {@code feed} history handler) hops back from storage threads with
 * {@code ctx.executor().execute(..)}; on the embedded loop that races with the test thread. Only
 * the executor changes: the pipeline the lifecycle sees forwards every call to the channel's real
 * pipeline, and {@code addLast(name, handler)} for a bound name becomes
 * {@code addLast(loop, name, handler)}. Handlers that schedule on the channel's clock (heartbeats)
 * stay unbound so the test can drive them with {@code EmbeddedChannel.advanceTimeBy}.
 */
public final class LoopBoundLifecycle implements ConnectionLifecycle {
    private final ConnectionLifecycle delegate;
    private final EventExecutor loop;
    private final Set<String> bound;

    public LoopBoundLifecycle(ConnectionLifecycle delegate, EventExecutor loop, String... boundNames) {
        this.delegate = delegate;
        this.loop = loop;
        this.bound = Set.of(boundNames);
    }

    @Override
    public void upgraded(ChannelHandlerContext handshakeContext) {
        delegate.upgraded(handshakeContext);
    }

    @Override
    public Session install(ChannelPipeline pipeline, DialectEndpoint endpoint, QueryStringDecoder uri,
                           Principal principal, String credential) {
        return delegate.install(bind(pipeline), endpoint, uri, principal, credential);
    }

    @Override
    public void activate(Session session) {
        delegate.activate(session);
    }

    @Override
    public void closed(Session session) {
        delegate.closed(session);
    }

    private ChannelPipeline bind(ChannelPipeline real) {
        return (ChannelPipeline) Proxy.newProxyInstance(ChannelPipeline.class.getClassLoader(),
                new Class<?>[]{ChannelPipeline.class}, (proxy, method, args) -> {
                    if (isAddLastByName(method) && bound.contains((String) args[0])) {
                        real.addLast(loop, (String) args[0], (ChannelHandler) args[1]);
                        return proxy;
                    }
                    try {
                        Object result = method.invoke(real, args);
                        return result == real ? proxy : result;
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
    }

    private static boolean isAddLastByName(Method method) {
        Class<?>[] types = method.getParameterTypes();
        return method.getName().equals("addLast") && types.length == 2 && types[0] == String.class
                && types[1] == ChannelHandler.class;
    }
}
