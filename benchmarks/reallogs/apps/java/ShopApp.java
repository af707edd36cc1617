// Tiny Java HTTP service; logs through SLF4J+logback (arg "logback") or the log4j2 API (arg "log4j").
// Serves on 127.0.0.1, drives its own traffic, fails to reach a database on 127.0.0.1:5999.
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URL;
import java.util.concurrent.Executors;

public class ShopApp {
    interface Log { void info(String m); void warn(String m); void debug(String m); void error(String m, Throwable t); }
    static Log log;

    static class RepositoryException extends RuntimeException {
        RepositoryException(String m, Throwable c) { super(m, c); }
    }

    static void connectDb() {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", 5999), 1000);
        } catch (IOException e) {
            throw new RepositoryException("cannot open connection to jdbc:postgresql://127.0.0.1:5999/shop", e);
        }
    }

    static void loadOrders() {
        try { connectDb(); }
        catch (RepositoryException e) { throw new IllegalStateException("order service unavailable", e); }
    }

    static int get(int port, String path) throws IOException {
        HttpURLConnection c = (HttpURLConnection) new URL("http://127.0.0.1:" + port + path).openConnection();
        int code = c.getResponseCode();
        c.disconnect();
        return code;
    }

    public static void main(String[] args) throws Exception {
        if (args[0].equals("logback")) {
            final org.slf4j.Logger l = org.slf4j.LoggerFactory.getLogger("com.example.shop.ShopApp");
            log = new Log() { public void info(String m) { l.info(m); } public void warn(String m) { l.warn(m); }
                public void debug(String m) { l.debug(m); } public void error(String m, Throwable t) { l.error(m, t); } };
        } else {
            final org.apache.logging.log4j.Logger l = org.apache.logging.log4j.LogManager.getLogger("com.example.shop.ShopApp");
            log = new Log() { public void info(String m) { l.info(m); } public void warn(String m) { l.warn(m); }
                public void debug(String m) { l.debug(m); } public void error(String m, Throwable t) { l.error(m, t); } };
        }
        HttpServer srv = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        srv.setExecutor(Executors.newFixedThreadPool(2));
        srv.createContext("/", ex -> {
            String p = ex.getRequestURI().getPath();
            int code = 200;
            try {
                if (p.equals("/orders")) loadOrders();
                else if (p.equals("/price")) { int qty = 0; log.info("unit price " + (100 / qty)); }
                else if (!p.equals("/")) code = 404;
            } catch (RuntimeException e) {
                log.error("request " + p + " failed", e);
                code = 500;
            }
            if (code == 404) log.warn("no handler for " + p);
            else log.debug("handled " + p + " -> " + code);
            byte[] b = ("status " + code + "\n").getBytes();
            ex.sendResponseHeaders(code, b.length);
            try (OutputStream o = ex.getResponseBody()) { o.write(b); }
        });
        srv.start();
        int port = srv.getAddress().getPort();
        log.info("Started ShopApp on 127.0.0.1:" + port);
        for (String p : new String[]{"/", "/missing", "/orders", "/", "/price", "/admin", "/", "/orders", "/"}) {
            int code = get(port, p);
            log.info("GET " + p + " -> " + code);
        }
        log.warn("shutting down");
        srv.stop(0);
        System.exit(0);
    }
}
