package io.streamdistill.http;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.HttpServerCodec;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The services' HTTP server: HTTP/1.1 with keep-alive (and pipelining, answered in order) on Netty, epoll where
 * the platform has it, TCP_NODELAY. One event-loop thread reads and writes; requests are answered by a fixed pool
 * of request threads, so a handler may block (a cascade to a teacher, a model call) without stalling other
 * connections. A connection has one request in hand at a time.
 *
 * <p>Routes are exact paths ({@link Builder#route}) or path prefixes ({@link Builder#routeUnder}); anything else is
 * a 404 {@code {"error": "no such endpoint: ..."}}. A body over the limit is a 413, a malformed request a 400, and a
 * handler's exception a 500, all in the same {@code {"error"}} shape. Memory stays bounded: a body is capped, a
 * connection stops reading while its request is in hand, and requests beyond what the pool's queue holds wait in
 * TCP.
 */
public final class HttpServer implements AutoCloseable {
  private static final Logger LOGGER = LoggerFactory.getLogger(HttpServer.class);

  private final String name;
  private final EventLoopGroup eventLoop;
  private final ThreadPoolExecutor requestThreads;
  private final Channel listening;
  private final Map<String, HttpHandler> exact;
  private final Map<String, HttpHandler> prefixes;

  /** A server to be: {@code name} names its threads and its log lines ("edge-http", "teacher-http"). */
  public static Builder builder(String name) {
    return new Builder(name);
  }

  /** The settings and routes of a server; {@link #start()} binds it. */
  public static final class Builder {
    private final String name;
    private int port;
    private int threads = 4;
    private int maxBodyBytes = 1 << 20;
    private final Map<String, HttpHandler> exact = new LinkedHashMap<>();
    private final Map<String, HttpHandler> prefixes = new LinkedHashMap<>();

    private Builder(String name) {
      this.name = name;
    }

    /** The port; 0 (the default) picks a free one. */
    public Builder port(int port) {
      if (port < 0 || port > 65_535) {
        throw new IllegalArgumentException("the HTTP port must be in [0, 65535], got " + port);
      }
      this.port = port;
      return this;
    }

    /** Request threads: how many requests are answered at once (default 4). */
    public Builder threads(int threads) {
      if (threads < 1) {
        throw new IllegalArgumentException("the HTTP server needs at least 1 request thread, got " + threads);
      }
      this.threads = threads;
      return this;
    }

    /** The largest request body taken (default 1 MiB); a larger one is answered 413. */
    public Builder maxBodyBytes(int maxBodyBytes) {
      if (maxBodyBytes < 0) {
        throw new IllegalArgumentException("the body limit must not be negative, got " + maxBodyBytes);
      }
      this.maxBodyBytes = maxBodyBytes;
      return this;
    }

    /** {@code handler} answers requests for exactly {@code path} (any method: the handler checks). */
    public Builder route(String path, HttpHandler handler) {
      exact.put(path, handler);
      return this;
    }

    /** {@code handler} answers {@code prefix} and every path under {@code prefix + "/"} (all of them for ""). */
    public Builder routeUnder(String prefix, HttpHandler handler) {
      prefixes.put(prefix, handler);
      return this;
    }

    /** Binds and starts serving; an IOException names the port when it cannot be bound. */
    public HttpServer start() throws IOException {
      return new HttpServer(this);
    }
  }

  private HttpServer(Builder builder) throws IOException {
    this.name = builder.name;
    this.exact = Map.copyOf(builder.exact);
    this.prefixes = new LinkedHashMap<>(builder.prefixes);
    boolean epoll = Epoll.isAvailable();
    IoHandlerFactory io = epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
    this.eventLoop = new MultiThreadIoEventLoopGroup(1, daemonThreads(name + "-io"), io);
    // The queue holds a request per connection at most (a connection has one in hand), so it is bounded by the
    // connections; its bound only guards against a flood of them, which then waits in TCP (503 on overflow).
    this.requestThreads = new ThreadPoolExecutor(builder.threads, builder.threads, 0, TimeUnit.MILLISECONDS,
        new ArrayBlockingQueue<>(4096), daemonThreads(name));
    int maxBodyBytes = builder.maxBodyBytes;
    Class<? extends ServerChannel> channel = epoll ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
    ServerBootstrap bootstrap = new ServerBootstrap()
        .group(eventLoop)
        .channel(channel)
        .option(ChannelOption.SO_BACKLOG, 1024)
        .option(ChannelOption.SO_REUSEADDR, true) // a restarted service takes its port back at once
        .childOption(ChannelOption.TCP_NODELAY, true)
        .childHandler(new ChannelInitializer<>() {
          @Override
          protected void initChannel(Channel ch) {
            ch.pipeline().addLast(new HttpServerCodec(), new BodyLimit(maxBodyBytes),
                new Connection(HttpServer.this::dispatch, requestThreads, maxBodyBytes));
          }
        });
    try {
      this.listening = bootstrap.bind(new InetSocketAddress(builder.port)).sync().channel();
    } catch (Exception e) {
      close();
      if (e instanceof InterruptedException) {
        Thread.currentThread().interrupt();
      }
      throw new IOException("cannot listen for HTTP on port " + builder.port + ": " + e.getMessage(), e);
    }
    LOGGER.atDebug().addKeyValue("server", name).addKeyValue("port", port()).addKeyValue("epoll", epoll)
        .log("HTTP server listening");
  }

  /** The port it listens on. */
  public int port() {
    return ((InetSocketAddress) listening.localAddress()).getPort();
  }

  private HttpResponse dispatch(HttpRequest request) {
    HttpHandler handler = handlerFor(request.rawPath());
    if (handler == null) {
      return HttpResponse.error(404, "no such endpoint: " + request.rawPath());
    }
    try {
      return handler.handle(request);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return HttpResponse.error(503, "interrupted: the server is stopping");
    } catch (Exception | LinkageError e) {
      LOGGER.atWarn().setCause(e).addKeyValue("server", name).addKeyValue("path", request.rawPath())
          .log("request failed");
      return HttpResponse.error(500, "internal error: " + e);
    }
  }

  private HttpHandler handlerFor(String path) {
    HttpHandler handler = exact.get(path);
    if (handler != null) {
      return handler;
    }
    for (Map.Entry<String, HttpHandler> prefix : prefixes.entrySet()) {
      if (path.equals(prefix.getKey()) || path.startsWith(prefix.getKey() + "/")) {
        return prefix.getValue();
      }
    }
    return null;
  }

  /** Stops listening, lets requests in hand finish for up to a second, then stops the threads. */
  @Override
  public void close() {
    List<Runnable> dropped = new ArrayList<>();
    if (listening != null) {
      listening.close().syncUninterruptibly();
    }
    requestThreads.shutdown();
    try {
      if (!requestThreads.awaitTermination(1, TimeUnit.SECONDS)) {
        dropped.addAll(requestThreads.shutdownNow());
      }
    } catch (InterruptedException e) {
      dropped.addAll(requestThreads.shutdownNow());
      Thread.currentThread().interrupt();
    }
    eventLoop.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    if (!dropped.isEmpty()) {
      LOGGER.atInfo().addKeyValue("server", name).addKeyValue("requests", dropped.size())
          .log("HTTP server stopped with requests unanswered");
    }
  }

  private static ThreadFactory daemonThreads(String prefix) {
    AtomicInteger number = new AtomicInteger();
    return r -> {
      Thread thread = new Thread(r, prefix + "-" + number.incrementAndGet());
      thread.setDaemon(true);
      return thread;
    };
  }
}
