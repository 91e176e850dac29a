# fixture-path: run.py
# fixture-file: Procfile: web: python run.py
import os

from orders import create_app

app = create_app()


def main():
    port = int(os.environ.get("PORT", "5000"))
    app.run(host="0.0.0.0", port=port, debug=True)  # expect: FLASK-DEPLOY-002


if __name__ == "__main__":
    main()
